# The chiso services' image (docker-compose.yml): one image, the role chosen by CHISO_ROLES.
FROM node:20.19.5-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
ENTRYPOINT ["node", "bin/chiso.js"]
CMD ["serve"]
