CREATE TABLE `memories` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`avatar_id` text DEFAULT '' NOT NULL,
	`visitor_id` text DEFAULT '' NOT NULL,
	`scope_key` text NOT NULL,
	`revision` integer DEFAULT 0 NOT NULL,
	`kind` text NOT NULL,
	`category` text DEFAULT 'other' NOT NULL,
	`text` text NOT NULL,
	`importance` real DEFAULT 0.5 NOT NULL,
	`source_message_ids` text NOT NULL,
	`search_text` text NOT NULL,
	`embedding` F32_BLOB(384),
	`embedding_model` text,
	`status` text DEFAULT 'active' NOT NULL,
	`occurred_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `memories_id_idx` ON `memories` (`id`);--> statement-breakpoint
CREATE INDEX `memories_scope_idx` ON `memories` (`tenant_id`,`avatar_id`,`visitor_id`,`status`);--> statement-breakpoint
CREATE INDEX `memories_scope_revision_idx` ON `memories` (`scope_key`,`revision`);--> statement-breakpoint
CREATE TABLE `memory_history` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`memory_id` text NOT NULL,
	`event` text NOT NULL,
	`before` text,
	`after` text,
	`actor` text NOT NULL,
	`reason` text,
	`source_message_ids` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`memory_id`) REFERENCES `memories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `memory_history_memory_idx` ON `memory_history` (`memory_id`,`seq`);--> statement-breakpoint
CREATE TABLE `memory_scopes` (
	`tenant_id` text NOT NULL,
	`avatar_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`revision` integer DEFAULT 0 NOT NULL,
	`epoch` integer DEFAULT 0 NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`preferences` text,
	`preferences_updated_at` integer,
	PRIMARY KEY(`tenant_id`, `avatar_id`, `visitor_id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `preference_changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`avatar_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`field` text NOT NULL,
	`before` text,
	`after` text,
	`source` text NOT NULL,
	`reason` text,
	`message_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `preference_changes_scope_idx` ON `preference_changes` (`tenant_id`,`avatar_id`,`visitor_id`,`seq`);--> statement-breakpoint
ALTER TABLE `conversations` ADD `state` text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `summary` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `summary_through_seq` integer;--> statement-breakpoint
ALTER TABLE `messages` ADD `trace` text;--> statement-breakpoint
CREATE VIRTUAL TABLE `memories_fts` USING fts5(`search_text`, `scope_key`, content='memories', content_rowid='seq', tokenize='porter unicode61');
--> statement-breakpoint
CREATE TRIGGER `memories_fts_insert` AFTER INSERT ON `memories` BEGIN
  INSERT INTO `memories_fts`(rowid, `search_text`, `scope_key`) VALUES (new.`seq`, new.`search_text`, new.`scope_key`);
END;
--> statement-breakpoint
CREATE TRIGGER `memories_fts_delete` AFTER DELETE ON `memories` BEGIN
  INSERT INTO `memories_fts`(`memories_fts`, rowid, `search_text`, `scope_key`) SELECT 'delete', old.`seq`, old.`search_text`, old.`scope_key` WHERE old.`status` = 'active';
END;
--> statement-breakpoint
CREATE TRIGGER `memories_fts_update` AFTER UPDATE OF `search_text`, `status`, `scope_key` ON `memories` BEGIN
  INSERT INTO `memories_fts`(`memories_fts`, rowid, `search_text`, `scope_key`) SELECT 'delete', old.`seq`, old.`search_text`, old.`scope_key` WHERE old.`status` = 'active';
  INSERT INTO `memories_fts`(rowid, `search_text`, `scope_key`) SELECT new.`seq`, new.`search_text`, new.`scope_key` WHERE new.`status` = 'active';
END;
