ALTER TABLE "queues" ADD COLUMN "csat_voice" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- The crisis queue never surveys (core/csat/survey-policy.ts); its flag says so too.
UPDATE "queues" SET "csat" = false WHERE "key" = 'crisis';
