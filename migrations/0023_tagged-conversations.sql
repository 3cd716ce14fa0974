DROP INDEX "conversations_tags_idx";--> statement-breakpoint
CREATE INDEX "conversations_tags_idx" ON "conversations" USING gin ("tags") WHERE cardinality("conversations"."tags") > 0;