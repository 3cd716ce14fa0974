ALTER TABLE "agents" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "escalation_step" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "overflow_queues" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "conversations_overflow_lane_idx" ON "conversations" USING btree ("channel","priority" DESC NULLS LAST,"queued_at") WHERE "conversations"."status" = 'waiting' and cardinality("conversations"."overflow_queues") > 0;--> statement-breakpoint
CREATE INDEX "reservations_created_idx" ON "reservations" USING btree ("created_at");