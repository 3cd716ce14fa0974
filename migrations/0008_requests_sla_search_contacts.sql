-- Name and phone/email fragments in contact lists and search (trusted extension: no superuser needed).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE TABLE "sla_events" (
	"conversation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"level" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"queue_key" text NOT NULL,
	"assignee_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sla_events_conversation_id_kind_level_due_at_pk" PRIMARY KEY("conversation_id","kind","level","due_at")
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "first_response_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "first_response_warn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "next_response_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "next_response_warn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "resolution_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "resolution_warn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "sla_breaches" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english'::regconfig, coalesce(body, '')) || to_tsvector('spanish'::regconfig, coalesce(body, ''))) STORED;--> statement-breakpoint
ALTER TABLE "queues" ADD COLUMN "sla" jsonb;--> statement-breakpoint
ALTER TABLE "queues" ADD COLUMN "auto_reply" jsonb;--> statement-breakpoint
ALTER TABLE "sla_events" ADD CONSTRAINT "sla_events_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sla_events_at_idx" ON "sla_events" USING btree ("at","level");--> statement-breakpoint
CREATE INDEX "contact_identities_value_trgm_idx" ON "contact_identities" USING gin ("value" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "contacts_name_trgm_idx" ON "contacts" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "conversations_first_response_warn_idx" ON "conversations" USING btree ("first_response_warn_at") WHERE "conversations"."status" in ('waiting', 'offered', 'assigned', 'pending', 'snoozed');--> statement-breakpoint
CREATE INDEX "conversations_next_response_warn_idx" ON "conversations" USING btree ("next_response_warn_at") WHERE "conversations"."status" in ('waiting', 'offered', 'assigned', 'pending', 'snoozed');--> statement-breakpoint
CREATE INDEX "conversations_resolution_warn_idx" ON "conversations" USING btree ("resolution_warn_at") WHERE "conversations"."status" in ('waiting', 'offered', 'assigned', 'pending', 'snoozed');--> statement-breakpoint
CREATE INDEX "messages_search_idx" ON "messages" USING gin ("search");