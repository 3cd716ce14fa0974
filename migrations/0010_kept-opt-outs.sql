CREATE TABLE "kept_opt_outs" (
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"opted_out_at" timestamp with time zone NOT NULL,
	CONSTRAINT "kept_opt_outs_kind_value_pk" PRIMARY KEY("kind","value")
);
