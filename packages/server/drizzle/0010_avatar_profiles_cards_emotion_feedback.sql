CREATE TABLE `avatar_assets` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`avatar_id` text NOT NULL,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`bytes` blob NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`avatar_id`) REFERENCES `avatars`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `avatar_assets_avatar_idx` ON `avatar_assets` (`avatar_id`);--> statement-breakpoint
CREATE TABLE `avatar_versions` (
	`avatar_id` text NOT NULL,
	`version` integer NOT NULL,
	`profile` text NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`avatar_id`, `version`),
	FOREIGN KEY (`avatar_id`) REFERENCES `avatars`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `message_feedback` (
	`message_id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`rating` text NOT NULL,
	`reason` text,
	`comment` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `message_feedback_conversation_idx` ON `message_feedback` (`conversation_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `personality_templates` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`profile` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `personality_templates_tenant_idx` ON `personality_templates` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `tone_adaptations` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`avatar_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`message_id` text,
	`dimension` text NOT NULL,
	`from_value` real NOT NULL,
	`to_value` real NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `tone_adaptations_avatar_idx` ON `tone_adaptations` (`tenant_id`,`avatar_id`,`seq`);--> statement-breakpoint
ALTER TABLE `avatars` ADD `profile` text;--> statement-breakpoint
ALTER TABLE `avatars` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `avatars` ADD `card` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `avatar_version` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `tone_state` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `emotion` text;