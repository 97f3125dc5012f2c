CREATE TABLE t01_types (
  id bigint PRIMARY KEY, amount numeric(12,3), big numeric, count integer, ratio float8,
  active boolean, doc jsonb, raw json, at timestamptz, local_at timestamp, day date, note text);
INSERT INTO t01_types VALUES
  (1, 19.990, 12345678901234567890.000001, 42, 0.1, true, '{"b":[1,2.50,{"c":null}]}', '[1, "x"]',
   '2024-03-31 01:30:00+02', '2024-03-31 02:30:00', '2024-02-29', E'tab\there, line\nbreak, back\\slash "quoted"'),
  (9007199254740993, -0.5, 1e-7, -2147483648, 'NaN', false, 'null', '{}',
   '1999-12-31 23:59:59.123456+00', NULL, NULL, 'Zoë Müller ☃'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
