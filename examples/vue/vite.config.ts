import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    vue({
      template: {
        // <vibhava-avatar> is a custom element, not a Vue component: Vue leaves it to the browser.
        compilerOptions: { isCustomElement: (tag) => tag.startsWith('vibhava-') },
      },
    }),
  ],
  // A fixed port, so the origin to allow on the server is always http://localhost:5175.
  server: { port: 5175, strictPort: true },
  preview: { port: 5175, strictPort: true },
});
