import { defineConfig } from 'vite';

// JSX is compiled by Vite's esbuild from tsconfig's "jsx": "react-jsx"; add @vitejs/plugin-react
// for Fast Refresh. A fixed port, so the origin to allow on the server is http://localhost:5174.
export default defineConfig({
  server: { port: 5174, strictPort: true },
  preview: { port: 5174, strictPort: true },
});
