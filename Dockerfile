# syntax=docker/dockerfile:1
# CPx back-office: one image for the HTTP API (default), the queue worker
# (node dist/src/worker.js) and the CLI (node dist/src/cli.js). The API also serves
# the console (web/, built into web/dist) at /console/.
ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------- build ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
# The root project and the console's workspace (web/) install together: the console's
# build needs its packages (React, DSFR, Vite). No browser download for Playwright.
COPY package.json package-lock.json ./
COPY web/package.json ./web/
RUN npm ci
COPY . .
# The server (dist/), the console's typed client check, and the console (web/dist/).
RUN npm run build

# -------------------------------------------------------------- runtime ----
FROM ${NODE_IMAGE} AS runtime
# libpcsclite1: shared library for the optional PC/SC encoder driver
# (ENCODER_DRIVER=pcsc); pcscd itself runs on the host or in a sidecar.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libpcsclite1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data \
    SCARF_ANALYTICS=false \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json ./
# The server's production packages only: --workspaces=false leaves out the console's
# workspace, whose packages only its build needs (the runtime serves web/dist as files).
RUN npm ci --omit=dev --workspaces=false && npm cache clean --force
COPY --from=build /app/dist ./dist
# The console's static files, served at /console/ (consoleDir() finds /app/web/dist
# from /app/dist/src/common/http).
COPY --from=build /app/web/dist ./web/dist
# The letters' embedded fonts (found by going up from dist/src/mailing/letters).
COPY --from=build /app/assets ./assets
# Created before VOLUME so that a new named volume is owned by "node".
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# Healthy when GET /health answers 2xx (the worker service disables this).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const port=Number(process.env.PORT)||3000;const req=require('http').get({host:'127.0.0.1',port,path:'/health',timeout:4000},(res)=>{res.resume();process.exit(res.statusCode>=200&&res.statusCode<300?0:1)});req.on('timeout',()=>{req.destroy();process.exit(1)});req.on('error',()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
