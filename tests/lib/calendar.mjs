// calendar.mjs - reads the platform's .ics files (src/core/ics.c) the way a
// calendar client would, with the npm package ical.js: the certification
// HTTP tests call parseIcs() on e-mail attachments, and the C unit tests
// (tests/unit/test_ics.c) run it as a command:
//
//   node tests/lib/calendar.mjs --check FILE    prints parseIcs(FILE) as JSON
//
// Exit status 0 when the file parses, 1 (message on stderr) otherwise.

import ICAL from 'ical.js';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** ICAL.Time -> "YYYY-MM-DDTHH:MM:SS" (local to its zone) or "YYYY-MM-DD". */
const local = (t) => (t ? t.toString() : null);

/** ICAL.Time -> "YYYY-MM-DDTHH:MM:SSZ" through its time zone; null for a date. */
function utc(t) {
	if (!t || t.isDate) return null;
	return t.convertToZone(ICAL.Timezone.utcTimezone).toString(); // ends with Z
}

/**
 * Parses an iCalendar text.  Returns
 *   { method, timezones: [tzid...],
 *     events: [{ uid, sequence, status, summary, location, description,
 *                start, end (local ISO strings, or dates for all-day events),
 *                startUtc, endUtc (through the file's own VTIMEZONE), allDay,
 *                tzid, organizer, attendees: [{ email, cn }] }] }
 * Throws on text that ical.js cannot parse.
 */
export function parseIcs(text) {
	const root = new ICAL.Component(ICAL.parse(text));
	if (root.name !== 'vcalendar') throw new Error(`not a VCALENDAR: ${root.name}`);
	const timezones = root.getAllSubcomponents('vtimezone').map((c) => new ICAL.Timezone(c));
	// Register this file's zones while its events are read, so that a TZID
	// resolves to the VTIMEZONE the file carries (not to a built-in one).
	for (const tz of timezones) ICAL.TimezoneService.register(tz, tz.tzid);
	try {
		const events = root.getAllSubcomponents('vevent').map((v) => {
			const ev = new ICAL.Event(v);
			const dtstart = v.getFirstProperty('dtstart');
			const address = (p) => ({
				email: String(p.getFirstValue() || '').replace(/^mailto:/i, ''),
				cn: p.getParameter('cn') ?? null,
			});
			const org = v.getFirstProperty('organizer');
			return {
				uid: ev.uid,
				sequence: ev.sequence,
				status: v.getFirstPropertyValue('status'),
				summary: ev.summary ?? null,
				location: ev.location ?? null,
				description: ev.description ?? null,
				start: local(ev.startDate),
				end: local(ev.endDate),
				startUtc: utc(ev.startDate),
				endUtc: utc(ev.endDate),
				allDay: Boolean(ev.startDate && ev.startDate.isDate),
				tzid: dtstart ? dtstart.getParameter('tzid') ?? null : null,
				organizer: org ? address(org) : null,
				attendees: v.getAllProperties('attendee').map(address),
			};
		});
		return {
			method: root.getFirstPropertyValue('method'),
			timezones: timezones.map((tz) => tz.tzid),
			events,
		};
	} finally {
		for (const tz of timezones) ICAL.TimezoneService.remove(tz.tzid);
	}
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	const i = process.argv.indexOf('--check');
	const file = i >= 0 ? process.argv[i + 1] : undefined;
	if (!file) {
		console.error('usage: node tests/lib/calendar.mjs --check FILE.ics');
		process.exit(2);
	}
	try {
		console.log(JSON.stringify(parseIcs(readFileSync(file, 'utf8')), null, 1));
	} catch (e) {
		console.error(`calendar.mjs: ${file}: ${e.message}`);
		process.exit(1);
	}
}
