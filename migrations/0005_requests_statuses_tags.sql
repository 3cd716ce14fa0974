ALTER TABLE "conversations" ADD COLUMN "contact_identity_id" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "pending_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "pending_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "queues" ADD COLUMN "auto_resolve_pending_seconds" integer DEFAULT 604800;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_contact_identity_id_contact_identities_id_fk" FOREIGN KEY ("contact_identity_id") REFERENCES "public"."contact_identities"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_tags_idx" ON "conversations" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "conversations_snoozed_until_idx" ON "conversations" USING btree ("snoozed_until") WHERE "conversations"."status" = 'snoozed';--> statement-breakpoint
CREATE INDEX "conversations_pending_since_idx" ON "conversations" USING btree ("pending_since") WHERE "conversations"."status" = 'pending';--> statement-breakpoint
-- Existing conversations talk to the contact's (only, before merges existed) address on their channel.
UPDATE "conversations" c SET "contact_identity_id" = (
  SELECT i.id FROM "contact_identities" i
  WHERE i.contact_id = c.contact_id
    AND i.kind = CASE c.channel WHEN 'email' THEN 'email' WHEN 'slack' THEN 'slack' ELSE 'phone' END
  ORDER BY i.created_at, i.id LIMIT 1
);
