// Child process: an OpenAI-wire upstream that streams at once. Prints its base URL.
import { startOpenAIWireServer } from '../../src/testing/openai-wire-server.js';

const server = await startOpenAIWireServer();
process.stdout.write(`${server.baseURL}\n`);
