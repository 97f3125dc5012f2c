DROP TABLE IF EXISTS t01_types;
CREATE TABLE t01_types (
  id INT UNSIGNED PRIMARY KEY,
  big BIGINT UNSIGNED,
  amount DECIMAL(30,10),
  price DECIMAL(10,2),
  ratio DOUBLE,
  flag TINYINT(1),
  small TINYINT,
  bits BIT(12),
  one_bit BIT(1),
  doc JSON,
  made DATETIME(3),
  stamp TIMESTAMP NULL,
  day DATE,
  clock TIME,
  name VARCHAR(40),
  note TEXT,
  raw VARBINARY(8),
  picture BLOB,
  colour ENUM('red','green'),
  tags SET('a','b'),
  yr YEAR
) DEFAULT CHARSET = utf8mb4;
INSERT INTO t01_types VALUES
 (1, 18446744073709551615, 12345678901234567890.0123456789, 165.00, 0.1, 1, -128, b'101010101010', b'1',
  '{"lines": [{"sku": "A-1", "qty": 2, "price": 19.990}], "note": null}', '2024-02-29 23:59:59.125',
  '2024-03-01 10:00:00', '2024-02-29', '-838:59:59', 'Zoë ☃', 'tab\there\nnewline', x'00ff', x'89504e470d0a1a0a',
  'green', 'a,b', 2024),
 (2, 0, -0.0000000001, 0.00, -1.5e-300, 0, 127, b'0', b'0', '[]', '1000-01-01 00:00:00', NULL, '0000-00-00',
  '00:00:00.5', '', NULL, x'', x'', 'red', '', 1901),
 (3, NULL, NULL, NULL, NULL, 5, NULL, NULL, NULL, NULL, '0000-00-00 00:00:00', NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL);
