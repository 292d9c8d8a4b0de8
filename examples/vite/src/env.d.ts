/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_VIBHAVA_SERVER_URL: string;
  readonly VITE_VIBHAVA_PUBLISHABLE_KEY: string;
  readonly VITE_VIBHAVA_AVATAR_ID: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
