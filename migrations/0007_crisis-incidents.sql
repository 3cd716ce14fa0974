CREATE TABLE "crisis_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"resources_text" jsonb,
	"staff_slack_channel" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crisis_settings_one_row" CHECK ("crisis_settings"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "crisis_terms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"language" text NOT NULL,
	"level" text NOT NULL,
	"phrase" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_conversations" (
	"incident_id" uuid NOT NULL,
	"conversation_id" uuid NOT NULL,
	"linked_by" uuid,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"notified_at" timestamp with time zone,
	CONSTRAINT "incident_conversations_incident_id_conversation_id_pk" PRIMARY KEY("incident_id","conversation_id")
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"public_message" jsonb NOT NULL,
	"queues" text[] DEFAULT '{}'::text[] NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"declared_by" uuid,
	"declared_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"resolution_message" jsonb,
	"slack_post" jsonb
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "risk" jsonb;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "crisis_resources_sent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "incident_conversations" ADD CONSTRAINT "incident_conversations_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_conversations" ADD CONSTRAINT "incident_conversations_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_conversations" ADD CONSTRAINT "incident_conversations_linked_by_agents_id_fk" FOREIGN KEY ("linked_by") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_declared_by_agents_id_fk" FOREIGN KEY ("declared_by") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_resolved_by_agents_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."agents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "crisis_terms_unique" ON "crisis_terms" USING btree ("language","level","phrase");--> statement-breakpoint
CREATE INDEX "incident_conversations_conversation_idx" ON "incident_conversations" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "incidents_open_idx" ON "incidents" USING btree ("declared_at" DESC NULLS LAST) WHERE "incidents"."status" = 'open';--> statement-breakpoint
CREATE INDEX "conversations_open_risk_idx" ON "conversations" USING btree ("last_message_at" DESC NULLS LAST) WHERE "conversations"."risk" is not null and "conversations"."status" in ('waiting', 'offered', 'assigned', 'pending', 'snoozed');