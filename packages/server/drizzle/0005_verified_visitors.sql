ALTER TABLE `tenants` ADD `identity_secret` text;--> statement-breakpoint
ALTER TABLE `tenants` ADD `identity_jwks_url` text;--> statement-breakpoint
ALTER TABLE `tenants` ADD `identity_issuer` text;--> statement-breakpoint
ALTER TABLE `tenants` ADD `identity_audience` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `external_id` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `display_name` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `merged_into` text;--> statement-breakpoint
CREATE UNIQUE INDEX `visitors_external_idx` ON `visitors` (`tenant_id`,`external_id`);