ALTER TABLE "conversations" ADD COLUMN "transferred_by" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "transfer_note" text;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_transferred_by_agents_id_fk" FOREIGN KEY ("transferred_by") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;