CREATE TABLE "sandbox_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"channel" text NOT NULL,
	"direction" text NOT NULL,
	"contact" text NOT NULL,
	"contact_name" text,
	"inbox" text NOT NULL,
	"body" text NOT NULL,
	"subject" text,
	"external_id" text NOT NULL,
	"status" text NOT NULL,
	"pending_statuses" text[] DEFAULT '{}'::text[] NOT NULL,
	"next_status_at" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "sandbox_messages_created_idx" ON "sandbox_messages" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "sandbox_messages_status_due_idx" ON "sandbox_messages" USING btree ("next_status_at") WHERE cardinality("sandbox_messages"."pending_statuses") > 0;