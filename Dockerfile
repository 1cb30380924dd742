FROM node:20-bookworm-slim AS build
# A compiler for native modules whose prebuilt binary cannot be used on the build machine (argon2 falls back to
# compiling: its prebuilt binary crashes on the machines this project is developed on). Only in this stage: the
# image takes the built node_modules.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nest build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
EXPOSE 3000
# `exec`: node replaces the shell and receives SIGTERM itself (dash does not exec the last command, and a shell as
# PID 1 drops SIGTERM: every stop would end in SIGKILL, calls and campaign locks left behind). The app then stops its
# orchestrators, closes its connections and exits within SHUTDOWN_TIMEOUT_MS (50 s; compose gives it 60 s).
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "node dist/scripts/migrate.js && exec node dist/src/main.js"]
