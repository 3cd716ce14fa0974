CREATE TABLE "canned_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"queue_key" text,
	"language" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dispositions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"label" text NOT NULL,
	"queue_key" text,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "must_change_password" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "language" text DEFAULT 'en' NOT NULL;--> statement-breakpoint
ALTER TABLE "canned_responses" ADD CONSTRAINT "canned_responses_queue_key_queues_key_fk" FOREIGN KEY ("queue_key") REFERENCES "public"."queues"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispositions" ADD CONSTRAINT "dispositions_queue_key_queues_key_fk" FOREIGN KEY ("queue_key") REFERENCES "public"."queues"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "canned_responses_queue_idx" ON "canned_responses" USING btree ("queue_key");--> statement-breakpoint
CREATE UNIQUE INDEX "dispositions_code_scope_unique" ON "dispositions" USING btree ("code",coalesce("queue_key", ''));--> statement-breakpoint
-- Defaults: the resolution codes and canned responses the desk had built in (src/web/canned.ts until now).
INSERT INTO "dispositions" ("code", "label") VALUES
	('resolved', 'Resolved'),
	('answered', 'Answered'),
	('info-provided', 'Information provided'),
	('donation-updated', 'Donation updated'),
	('callback-scheduled', 'Callback scheduled'),
	('escalated', 'Escalated'),
	('no-response', 'No response'),
	('spam', 'Spam / wrong number')
ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO "canned_responses" ("title", "body", "language") VALUES
	('Greeting', 'Hi {contact.first_name}, this is {agent.name}. Thanks for reaching out — how can I help today?', 'en'),
	('Greeting', 'Hola {contact.first_name}, soy {agent.name}. Gracias por escribirnos, ¿en qué puedo ayudarle hoy?', 'es'),
	('Looking into it', 'Thanks, {contact.first_name}. Give me a moment while I look into this for you.', 'en'),
	('Looking into it', 'Gracias, {contact.first_name}. Deme un momento mientras lo reviso.', 'es'),
	('Donation changed', 'All set, {contact.first_name}: your monthly donation has been updated. You will get an email receipt shortly.', 'en'),
	('Donation changed', 'Listo, {contact.first_name}: su donación mensual ha sido actualizada. Recibirá un recibo por correo en breve.', 'es'),
	('Receipt resent', 'I have re-sent your receipt to the email we have on file. Please check your spam folder too.', 'en'),
	('Receipt resent', 'Le he reenviado el recibo al correo que tenemos registrado. Revise también la carpeta de spam.', 'es'),
	('Volunteer info', 'Thank you for volunteering, {contact.first_name}! Our coordinator will contact you within two business days.', 'en'),
	('Volunteer info', '¡Gracias por ofrecerse como voluntario, {contact.first_name}! Nuestro coordinador le contactará en dos días hábiles.', 'es'),
	('Crisis resources', 'If you are in immediate danger, please call 911. You can also reach the 988 Suicide & Crisis Lifeline by calling or texting 988.', 'en'),
	('Crisis resources', 'Si está en peligro inmediato, llame al 911. También puede comunicarse con la línea 988 de prevención del suicidio y crisis llamando o enviando un mensaje de texto al 988.', 'es'),
	('Closing', 'Is there anything else I can help with, {contact.first_name}? If not, have a great day! (Ref. #{conversation.number})', 'en'),
	('Closing', '¿Hay algo más en lo que pueda ayudarle, {contact.first_name}? Si no, ¡que tenga un buen día! (Ref. #{conversation.number})', 'es');
