#!/usr/bin/env python3
"""gen_import.py N OUT.csv - a realistic candidates file for « Importer des
candidats » (bench/import.sh): French names, valid places of birth drawn
from data/postal_codes.tsv (one in ten born abroad, country names from
data/countries.tsv), the template's columns, UTF-8 with BOM, ';'."""
import random, sys, os, unicodedata

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(int(os.environ.get('SEED', '42')))

def rows(path):
    with open(os.path.join(ROOT, path), encoding='utf-8') as f:
        return [l.rstrip('\n').split('\t') for l in f if not l.startswith('#') and l.strip()]

places = [(r[0], r[1]) for r in rows('data/postal_codes.tsv')]
countries = [r[1] for r in rows('data/countries.tsv') if r[0] != 'FR']
first = ('Camille Léa Manon Chloé Inès Jade Louise Zoé Lina Hélène Élodie Anaïs Maëlle Océane Noémie Gaëlle '
         'Lucas Hugo Louis Gabriel Arthur Jules Raphaël Adam Léo Théo Mathéo Noé Loïc Jérôme François Benoît').split()
last = ('Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefèvre Leroy Roux '
        'David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Lefebvre '
        'Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier Garcia Perrin Robin '
        "Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis Dumont Marie Lemaire "
        "Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud "
        "Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine "
        "Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq "
        "Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin Louis "
        "Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier Marty Aubry Guyot "
        "Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé Schneider Fernandez Le-Gall "
        "Collet Léger Bouvier Julien Prévost Millet Perrot Daniel Le-Roux Cousin Germain Breton Besson Langlois "
        "Rémy Le-Goff Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob "
        "Monnier Michaud Rodriguez Guichard Gillet Étienne Grondin Poulain Tessier Chevallier Collin Chauvin "
        "Da-Silva Bouchet Gay Lemaître Bénard Maréchal Humbert Reynaud Antoine Hoarau Perret Barthélemy Cordier "
        "Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte").split()
statuts = ['Salarié', 'Demandeur d\'emploi', 'Étudiant', 'Indépendant', 'Agent public', 'Autre']
fin = ['Compte personnel de formation (CPF)', 'Employeur', 'OPCO', 'France Travail', 'Personnel', 'Autre']
cities_abroad = ['Madrid', 'Bruxelles', 'Genève', 'Dakar', 'Alger', 'Casablanca', 'Montréal', 'Lisbonne', 'Rome', 'Tunis']

def esc(s):
    return '"' + s.replace('"', '""') + '"' if (';' in s or '"' in s) else s

with open(out, 'w', encoding='utf-8-sig', newline='') as f:
    f.write('Civilité;Nom;Nom de naissance;Prénom;Courriel;Date de naissance;Code postal de naissance;'
            'Commune de naissance;Pays de naissance;Statut;Financement;Téléphone\r\n')
    for i in range(n):
        fn, ln = rnd.choice(first), rnd.choice(last)
        civ = 'Madame' if first.index(fn) < 16 else 'Monsieur'
        email = unicodedata.normalize('NFKD', f"{fn.lower()}.{ln.lower()}.{i}@exemple.fr").encode('ascii', 'ignore').decode()
        date = f"{rnd.randint(1,28):02d}/{rnd.randint(1,12):02d}/{rnd.randint(1950,2008)}"
        if rnd.random() < 0.9:
            cp, city = rnd.choice(places)
            country = 'France'
        else:
            cp, city, country = '', rnd.choice(cities_abroad), rnd.choice(countries)
        phone = f"06 {rnd.randint(10,99)} {rnd.randint(10,99)} {rnd.randint(10,99)} {rnd.randint(10,99)}" if rnd.random() < 0.5 else ''
        f.write(';'.join(esc(x) for x in [civ, ln, '', fn, email, date, cp, city, country, rnd.choice(statuts),
                                          rnd.choice(fin), phone]) + '\r\n')
