import type { AddressInfo } from 'node:net';
import { readConfig } from './config.js';
import { createSite } from './site.js';

const config = readConfig();
const site = createSite(config);
site.listen(config.port, config.host, () => {
  const { port } = site.address() as AddressInfo;
  const origin = `http://${config.host}:${port}`;
  console.log(`Example site on ${origin}`);
  console.log(
    `The VibhavaFusion server at ${config.vibhava.serverUrl} must allow this origin (VIBHAVA_ALLOWED_ORIGINS).`,
  );
});
