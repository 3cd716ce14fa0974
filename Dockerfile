# Switchboard's production image: compiled JavaScript (dist/), only production
# dependencies, a non-root user. One image for every role (ROLE=all|web|worker).
#
#   docker build -t switchboard .
#   docker run --env-file .env -p 3000:3000 switchboard
#
# The build stage runs the same npm scripts the tests run (`npm ci`, `npm run build`:
# test/production-build.test.ts builds and starts dist/ the same way).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, then tsc (server → dist/) and vite (desk → dist/web/)
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# patch-package applies these on postinstall; the install fails if one no longer applies.
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json vite.config.ts ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# ---- production dependencies only (the desk's libraries are bundled into dist/web by vite)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# package.json carries "type": "module" for dist/; migrations/ and ivr-flows/ are found
# next to dist/ (src/app-root.ts). Files stay root-owned: the app only reads them.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY migrations ./migrations
COPY ivr-flows ./ivr-flows
COPY --from=build /app/dist ./dist
USER node
# HTTP (API, webhooks, desk, Socket.IO) and inbound SMTP (INBOUND_SMTP_PORT).
EXPOSE 3000 2525
# /readyz checks Postgres and Redis. Worker processes (ROLE=worker) serve no HTTP:
# docker-compose.yml turns this check off for them.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node runs as PID 1 (not under npm), so SIGTERM reaches Switchboard, which drains.
CMD ["node", "dist/main.js"]
