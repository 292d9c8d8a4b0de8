import { defineConfig } from 'vite';

// A fixed port, so the origin to allow on the server is always http://localhost:5173.
export default defineConfig({
  server: { port: 5173, strictPort: true },
  preview: { port: 5173, strictPort: true },
});
