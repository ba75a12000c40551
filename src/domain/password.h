/* password.h - the rules of an administrator's or a staff member's password
 * (ASVS level 2): at least PASSWORD_MIN characters (code points), at most
 * PASSWORD_MAX, not one of the common passwords of data/common_passwords.tsv
 * (the zxcvbn-ts dictionaries, French ones included: scripts/gen-passwords.mjs)
 * and not made of the account's e-mail address or name.
 *
 * « Common » is decided on the folded password (case, accents, « œ », spaces:
 * text_fold()), as a whole and without the digits at its two ends, so that
 * « Azertyuiop12 » is as common as « azertyuiop ».  « Made of the e-mail or
 * name »: the password's letters, folded, are nothing but pieces of two
 * letters or more of the e-mail address and the name (« Dupont.Jean.1990 »
 * for jean.dupont@ecole.fr), whatever the digits and signs around them.
 * Candidates' passwords (set by administrators, 6 characters) are not
 * checked here.
 */
#ifndef CLR_PASSWORD_H
#define CLR_PASSWORD_H

#define PASSWORD_MIN 12
#define PASSWORD_MAX 200

/* NULL if PW may be chosen by the account (EMAIL, NAME: either may be NULL
 * or ""), else the French message that says why not (static). */
const char *password_refusal(const char *pw, const char *email, const char *name);

/* 1 if the folded text is in the common-password list (the lookup behind
 * password_refusal(); tests). */
int password_is_listed(const char *folded);

#endif
