-- Names with spaces and mixed case, every type family, NULLs, a BLOB, booleans, an untyped
-- column of exact numbers (as etl-load makes them), a foreign-key cycle, a unique constraint,
-- a partial index, a view and a trigger.
CREATE TABLE "Order Details" (
  "Order ID" INTEGER NOT NULL, "Line" INTEGER NOT NULL, "Unit Price" NUMERIC(10,2), "Qty" SMALLINT,
  "Shipped" BOOLEAN, "Shipped At" DATETIME, "Note" NVARCHAR(40), "Picture" BLOB, "Extra" JSON,
  "Weight" REAL, "Amount",
  PRIMARY KEY ("Order ID", "Line"),
  FOREIGN KEY ("Order ID") REFERENCES "Orders" ("OrderID") ON DELETE CASCADE);
CREATE TABLE "Orders" (
  "OrderID" INTEGER PRIMARY KEY, "Customer" TEXT NOT NULL, "Ordered" DATE, "Best Line" INTEGER,
  "Code" VARCHAR(8) UNIQUE,
  FOREIGN KEY ("OrderID", "Best Line") REFERENCES "Order Details" ("Order ID", "Line"));
CREATE INDEX "Open orders" ON "Orders" ("Customer") WHERE "Ordered" IS NULL;
CREATE INDEX "By customer" ON "Orders" ("Customer", "Ordered");
CREATE VIEW "Order Totals" AS SELECT "Order ID", sum("Unit Price" * "Qty") AS total FROM "Order Details" GROUP BY 1;
CREATE TRIGGER "stamp" AFTER INSERT ON "Orders" BEGIN SELECT 1; END;
INSERT INTO "Orders" VALUES (1, 'Alfreds', '2024-03-01', 2, 'A-1'), (2, 'Bólido', NULL, NULL, NULL), (3, 'Ernst', '2024-03-02', 1, 'E-3');
INSERT INTO "Order Details" VALUES
  (1, 1, 19.99, 2, 1, '2024-03-01 10:00:00', 'first', x'00ff10', '{"gift":true}', 0.5, '19.990'),
  (1, 2, 165.00, 1, 0, '2024-03-01 10:00:00.250', NULL, NULL, NULL, 1e-3, 12345678901234567890),
  (3, 1, 0.10, NULL, NULL, NULL, 'Größe "XL"', x'', '[1,2]', NULL, -0.0);
