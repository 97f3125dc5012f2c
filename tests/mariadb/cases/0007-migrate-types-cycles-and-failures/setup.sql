-- MySQL types, a foreign-key cycle (each employee's department, each department's head),
-- names with spaces and mixed case, a view, a trigger and a procedure.
CREATE TABLE `Dept Of Things` (
  `Dept Id` INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `Name` VARCHAR(40) NOT NULL UNIQUE,
  head_id INT NULL
);
CREATE TABLE staff (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  dept INT UNSIGNED NOT NULL,
  email VARCHAR(80) NOT NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  level TINYINT UNSIGNED,
  salary DECIMAL(12,2),
  ratio FLOAT,
  big BIGINT UNSIGNED,
  flags BIT(8),
  profile JSON,
  born DATE,
  hired DATETIME(3),
  seen TIMESTAMP NULL,
  shift TIME,
  colour ENUM('red','green','blue'),
  photo MEDIUMBLOB,
  KEY by_email (email),
  CONSTRAINT staff_dept FOREIGN KEY (dept) REFERENCES `Dept Of Things` (`Dept Id`) ON DELETE CASCADE
);
ALTER TABLE `Dept Of Things` ADD CONSTRAINT dept_head FOREIGN KEY (head_id) REFERENCES staff (id) ON DELETE SET NULL;
SET FOREIGN_KEY_CHECKS = 0;
INSERT INTO `Dept Of Things` VALUES (1, 'Sales', 1), (2, 'Ops', 3);
INSERT INTO staff VALUES
  (1, 1, 'ann@example.com', 1, 3, 98000.50, 0.5, 18446744073709551615, b'10100101', '{"langs": ["de", "en"], "pay": 1.10}', '1980-02-29', '2020-01-01 09:00:00.125', '2024-06-01 12:00:00', '08:30:00', 'green', x'89504e47'),
  (2, 1, 'Bob@example.com', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, 2, 'cleo@example.com', 1, 255, -0.01, -2.5e10, 0, b'0', '[]', '2000-01-01', '1999-12-31 23:59:59.999', NULL, '17:00:00', 'red', x'');
SET FOREIGN_KEY_CHECKS = 1;
CREATE VIEW active_staff AS SELECT id, email FROM staff WHERE active;
CREATE TRIGGER staff_email BEFORE INSERT ON staff FOR EACH ROW SET NEW.email = LOWER(NEW.email);
CREATE PROCEDURE promote(IN who INT) UPDATE staff SET level = level + 1 WHERE id = who;
