CREATE TABLE t32_escapes (id integer PRIMARY KEY, note text);
-- Every byte COPY's text format escapes, at the start, the middle and the end of a value; the
-- two characters \N as text (not the null marker); a backslash alone; non-ASCII text.
INSERT INTO t32_escapes VALUES
  (1, E'\\N'), (2, E'\\'), (3, E'x\\'), (4, E'\t'), (5, E'a\rb\nc'), (6, E'\b\f\x0b'),
  (7, E'\\\\N\\t'), (8, 'Zoë €uro 😀'), (9, ''), (10, NULL), (11, E'\t\\N\t'),
  (12, E'\x01 and \x1f');
