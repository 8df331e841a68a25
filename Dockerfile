# The chiso services' image (docker-compose.yml, docs/deploy.md): one image, the role chosen by
# CHISO_ROLES. Three stages: production dependencies, the workflow bundle (built once here instead
# of by webpack at every worker start), and the runtime image that runs as the unprivileged `node`
# user over code it cannot change; only /app/.data (a volume) is writable.

# --- 1. production dependencies only (no test tools in the image) ---
FROM node:20.19.5-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

# --- 2. the Temporal workflow bundle (services/worker loads it through CHISO_WORKFLOW_BUNDLE) ---
FROM deps AS bundle
COPY . .
RUN node --import tsx infra/temporal/bundle-workflows.ts build/workflow-bundle.js

# --- 3. runtime ---
FROM node:20.19.5-bookworm-slim
ENV NODE_ENV=production \
    CHISO_DATA_DIR=/app/.data \
    CHISO_WORKFLOW_BUNDLE=/app/build/workflow-bundle.js \
    CHISO_API_PORT=8088
WORKDIR /app
# Code and dependencies stay owned by root and read-only for the `node` user that runs them.
COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=bundle /app/build/workflow-bundle.js ./build/workflow-bundle.js
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
VOLUME ["/app/.data"]
EXPOSE 8088
# The slim image has no curl: node asks the readiness endpoint every role serves on CHISO_API_PORT.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.CHISO_API_PORT||8088)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/chiso.js"]
CMD ["serve"]
