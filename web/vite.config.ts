import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API at /console/ (see src/common/http/console-static.ts); `npm run dev` proxies the API.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/opposition': 'http://127.0.0.1:3000' } },
});
