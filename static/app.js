/* app.js - progressive enhancement only: every page works without it. */
'use strict';
document.addEventListener('DOMContentLoaded', function () {
	/* Put the keyboard focus on the first field in error. */
	var bad = document.querySelector('[aria-invalid="true"]');
	if (bad) bad.focus();
	/* Forms never submit twice on a double click. */
	document.querySelectorAll('form').forEach(function (f) {
		f.addEventListener('submit', function () {
			var b = f.querySelector('button[type="submit"]');
			if (b) setTimeout(function () { b.disabled = true; }, 0);
		});
	});
	/* « Candidats » (issue 6): the list updates as one types or filters
	 * (fetches the same URL with partiel=1 and swaps the results), and a
	 * postal code field fills the datalist of its commune field (from its
	 * data-communes-url, else /candidats/communes). */
	document.querySelectorAll('form[data-live]').forEach(function (f) {
		var target = document.getElementById(f.getAttribute('data-live'));
		if (!target || !window.fetch) return;
		var timer = null, seq = 0;
		function refresh() {
			var params = new URLSearchParams(); /* the filters set, not the empty ones */
			new FormData(f).forEach(function (v, k) { if (v !== '') params.append(k, v); });
			var url = f.getAttribute('action') + (params.toString() ? '?' + params.toString() : '');
			var sep = url.indexOf('?') < 0 ? '?' : '&', my = ++seq;
			fetch(url + sep + 'partiel=1', { credentials: 'same-origin' }).then(function (r) {
				return r.ok ? r.text() : null;
			}).then(function (html) {
				if (html === null || my !== seq) return;
				target.innerHTML = html;
				history.replaceState(null, '', url);
				document.dispatchEvent(new Event('clr:results'));
			}).catch(function () {});
		}
		f.querySelectorAll('input[type="search"]').forEach(function (i) {
			i.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(refresh, 200); });
		});
		f.querySelectorAll('select').forEach(function (s) { s.addEventListener('change', refresh); });
		f.addEventListener('submit', function (e) { e.preventDefault(); clearTimeout(timer); refresh(); });
	});
	document.querySelectorAll('input[data-communes]').forEach(function (i) {
		var list = document.getElementById(i.getAttribute('data-communes'));
		if (!list || !window.fetch) return;
		var last = '';
		function load() {
			var cp = i.value.trim();
			if (!/^\d{5}$/.test(cp) || cp === last) return;
			last = cp;
			fetch((i.getAttribute('data-communes-url') || '/candidats/communes') + '?cp=' + cp, { credentials: 'same-origin' }).then(function (r) {
				return r.ok ? r.json() : [];
			}).then(function (names) {
				list.textContent = '';
				names.forEach(function (n) {
					var o = document.createElement('option');
					o.value = n;
					list.appendChild(o);
				});
			}).catch(function () {});
		}
		i.addEventListener('input', load);
		load();
	});
	/* « Groupes » (issue 5): the header checkbox of a list checks every row
	 * of the page; « Sélectionner les N candidats correspondants » sets the
	 * hidden all_matching field (the server re-runs the filters) instead of
	 * submitting; unchecking a row cancels it.  Delegated, because live
	 * updates replace the list. */
	var matching = null; /* {hidden, button, note} while all matching are selected */
	function unselectMatching() {
		if (!matching) return;
		matching.hidden.value = '';
		if (matching.note.parentNode) matching.note.replaceWith(matching.button);
		matching = null;
		countSelected();
	}
	/* « N sélectionnés » beside the form's buttons ([data-selected-count]):
	 * the rows ticked, or every matching candidate. */
	function countSelected() {
		document.querySelectorAll('[data-selected-count]').forEach(function (out) {
			var f = out.closest('form');
			if (!f || !f.id) return;
			var n = matching && matching.hidden.form === f && matching.hidden.isConnected
				? Number(matching.button.getAttribute('data-total')) || 0
				: document.querySelectorAll('input[name="ids"][form="' + f.id + '"]:checked').length;
			out.textContent = n === 1 ? '1 sélectionné' : n.toLocaleString('fr-FR') + ' sélectionnés';
			out.hidden = n === 0;
		});
	}
	document.addEventListener('clr:results', function () { matching = null; countSelected(); });
	countSelected(); /* boxes the browser kept ticked on reload or back */
	document.addEventListener('change', function (e) {
		var t = e.target;
		if (t.matches && t.matches('input[data-select-all]')) {
			var table = t.closest('table');
			if (table) table.querySelectorAll('input[name="ids"]').forEach(function (b) { b.checked = t.checked; });
			if (!t.checked) unselectMatching();
		} else if (t.name === 'ids' && !t.checked) {
			unselectMatching();
		}
		if (t.name === 'ids' || (t.matches && t.matches('input[data-select-all]'))) countSelected();
	});
	document.addEventListener('click', function (e) {
		var b = e.target.closest && e.target.closest('[data-select-matching]');
		if (!b) return;
		var hidden = document.getElementById(b.getAttribute('data-select-matching'));
		if (!hidden) return;
		e.preventDefault();
		hidden.value = '1';
		document.querySelectorAll('input[name="ids"], input[data-select-all]').forEach(function (x) { x.checked = true; });
		var note = document.createElement('span');
		note.className = 'selected-matching';
		note.setAttribute('role', 'status');
		note.textContent = b.getAttribute('data-selected-text');
		b.replaceWith(note);
		matching = { hidden: hidden, button: b, note: note };
		countSelected();
	});
	/* The order form (« Commander »): − / + buttons and live totals.  The
	 * server recomputes everything; this only mirrors money.c (integer
	 * cents, VAT rounded half-up) and text.c's money_fmt. */
	document.querySelectorAll('form[data-order-form]').forEach(function (f) {
		var bp = BigInt(f.getAttribute('data-vat-bp') || '2000');
		var inputs = f.querySelectorAll('input[data-unit-cents]');
		function fmt(c) {
			var neg = c < 0n; if (neg) c = -c;
			var units = (c / 100n).toString(), cents = (c % 100n).toString().padStart(2, '0');
			return (neg ? '-' : '') + units.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f') + ',' + cents + '\u00a0€';
		}
		function update() {
			var sub = 0n, ok = true;
			inputs.forEach(function (i) {
				var v = i.value.trim(), cell = f.querySelector('[data-amount-for="' + i.name + '"]');
				var good = /^\d{1,5}$/.test(v || '0') && Number(v || '0') <= 10000;
				if (!good) { ok = false; if (cell) cell.textContent = '—'; return; }
				var amount = BigInt(i.getAttribute('data-unit-cents')) * BigInt(v || '0');
				sub += amount;
				if (cell) cell.textContent = fmt(amount);
			});
			var vat = (sub * bp + 5000n) / 10000n;
			f.querySelector('[data-order-subtotal]').textContent = ok ? fmt(sub) : '—';
			f.querySelector('[data-order-vat]').textContent = ok ? fmt(vat) : '—';
			f.querySelector('[data-order-total]').textContent = ok ? fmt(sub + vat) : '—';
		}
		f.querySelectorAll('[data-qty-step]').forEach(function (b) {
			b.addEventListener('click', function () {
				var i = f.querySelector('#' + b.getAttribute('data-qty-for'));
				var v = parseInt(i.value, 10);
				v = (isNaN(v) ? 0 : v) + parseInt(b.getAttribute('data-qty-step'), 10);
				i.value = String(Math.min(10000, Math.max(0, v)));
				update();
			});
		});
		inputs.forEach(function (i) { i.addEventListener('input', update); });
		update();
	});
	/* Exports carry the list's current filters (also after live updates);
	 * « Confirmer l'import » shows that a long import is running. */
	document.querySelectorAll('a[data-export]').forEach(function (a) {
		a.addEventListener('click', function () {
			var f = document.querySelector('form[data-live]');
			if (!f) return;
			var params = new URLSearchParams();
			new FormData(f).forEach(function (v, k) { if (v !== '') params.append(k, v); });
			a.href = a.getAttribute('data-export') + (params.toString() ? '?' + params.toString() : '');
		});
	});
	document.querySelectorAll('form[data-import-confirm]').forEach(function (f) {
		f.addEventListener('submit', function () {
			var p = f.querySelector('[data-import-progress]');
			if (p) p.hidden = false;
		});
	});
});
