/* tmpl.h - HTML/text templates, compiled once at start-up.
 *
 * Syntax (a Mustache subset):
 *   {{name}}             value of name, HTML-escaped (V_HTML values as is;
 *                        V_TMPL: that template, rendered there with the view)
 *   {{#name}}..{{/name}} section: once per item of a list, once if a text is
 *                        non-empty or a bool is true; nothing otherwise
 *   {{^name}}..{{/name}} inverted section: when name is absent/empty/false
 *   {{>other}}           includes template "other"
 *   {{! comment }}
 * Templates hold no logic beyond that: handlers compute every value.
 * Names are the embedded file paths without "templates/" and the suffix
 * (".html" or ".txt"): "account/profile".  When a .txt and a .html share a
 * name (a mail's two bodies), "mail/x.txt" and "mail/x.html" pick one.
 * Text templates (.txt) are not escaped.
 */
#ifndef CLR_TMPL_H
#define CLR_TMPL_H
#include "core/buf.h"
#include "core/embedded.h"
#include "core/view.h"

/* Compiles every embedded template once (later calls return 0).  A syntax
 * error, or a partial that names no template, is logged and makes it
 * CLR_EINVAL: a start-up error.  Env CLR_TMPL_STRICT=1: tmpl_set_strict(1). */
int tmpl_init(void);
/* The same from FILES (their templates/... entries, data NUL-terminated and
 * kept alive), replacing the templates compiled before; on an error none
 * is left.  For tests. */
int tmpl_load(const struct embedded_file *files, size_t n);
/* Strict mode (the test harness turns it on for every server it starts):
 * rendering a {{name}} variable that the view chain does not set at all
 * logs « template variable not set » with the template and the name, once
 * per tag, at level error.  A section
 * ({{#name}}, {{^name}}) of an unset name is legitimate: false. */
void tmpl_set_strict(int on);
/* Renders template `name` with view v, appending to out.  CLR_ENOTFOUND if
 * no such template. */
int tmpl_render(const char *name, const view *v, buf *out);
int tmpl_exists(const char *name);

#endif
