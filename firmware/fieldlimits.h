/* The length of each field of a volunteer, in bytes of UTF-8 without the
 * NUL: one constant per field, shared by the roster parser, the store,
 * every struct and buffer that holds one, and the central. Over it is an
 * error naming the field; nothing is cut. */
#ifndef TILSTEDE_FIELDLIMITS_H
#define TILSTEDE_FIELDLIMITS_H

#define VOLUNTEER_ID_MAX    63   /* the roster's external id (sync/PROTOCOL.md: 1 to 63 bytes) */
#define VOLUNTEER_NAME_MAX  127  /* a given name, a family name */
#define VOLUNTEER_NOTES_MAX 1000 /* the coordinator's notes: a paragraph */

#endif
