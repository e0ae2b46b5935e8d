/**
 * The longest text the server takes, in characters, one limit per kind of text: the same numbers
 * as api/common/schema.py (tests/noteField.test.ts holds them to openapi.json).
 */
export const PERSON_NAME_MAX = 100;
export const TITLE_MAX = 200;
export const NOTE_MAX = 2000;
export const LONG_TEXT_MAX = 4000;
