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
});
