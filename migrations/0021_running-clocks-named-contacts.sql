DROP INDEX "contacts_name_trgm_idx";--> statement-breakpoint
DROP INDEX "conversations_first_response_warn_idx";--> statement-breakpoint
DROP INDEX "conversations_next_response_warn_idx";--> statement-breakpoint
DROP INDEX "conversations_resolution_warn_idx";--> statement-breakpoint
CREATE INDEX "contacts_name_trgm_idx" ON "contacts" USING gin ("name" gin_trgm_ops) WHERE "contacts"."name" is not null;--> statement-breakpoint
CREATE INDEX "conversations_first_response_warn_idx" ON "conversations" USING btree ("first_response_warn_at") WHERE "conversations"."status" in ('waiting', 'offered', 'assigned', 'pending', 'snoozed') and "conversations"."first_response_warn_at" is not null;--> statement-breakpoint
CREATE INDEX "conversations_next_response_warn_idx" ON "conversations" USING btree ("next_response_warn_at") WHERE "conversations"."status" in ('waiting', 'offered', 'assigned', 'pending', 'snoozed') and "conversations"."next_response_warn_at" is not null;--> statement-breakpoint
CREATE INDEX "conversations_resolution_warn_idx" ON "conversations" USING btree ("resolution_warn_at") WHERE "conversations"."status" in ('waiting', 'offered', 'assigned', 'pending', 'snoozed') and "conversations"."resolution_warn_at" is not null;