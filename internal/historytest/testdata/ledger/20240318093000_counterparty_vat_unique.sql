UPDATE counterparties SET vat_id = upper(replace(vat_id, ' ', '')) WHERE vat_id IS NOT NULL;
INSERT INTO canary (migration, step) VALUES ('20240318093000', 'normalise vat ids');

CREATE UNIQUE INDEX counterparties_vat_id_key ON counterparties (vat_id);
