CREATE TABLE `error_groups` (
	`fingerprint` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`kind` text NOT NULL,
	`code` text NOT NULL,
	`message` text NOT NULL,
	`count` integer NOT NULL,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`sample` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `error_groups_tenant_idx` ON `error_groups` (`tenant_id`,`last_seen_at`);