import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the UI with hot reload and forwards API calls to a
// running estate server (ESTATE_URL, default http://127.0.0.1:8080).
const target = process.env.ESTATE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // GraphiQL (the playground's own lazy chunk) is ~750 kB minified.
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/graphql': target,
      '/readyz': target,
      '/healthz': target,
    },
  },
});
