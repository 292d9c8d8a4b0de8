ALTER TABLE `quotas` ADD `soft_limit_percent` integer;--> statement-breakpoint
ALTER TABLE `quotas` ADD `soft_limit_model` text;