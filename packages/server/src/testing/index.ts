export { startOpenAIWireServer, type OpenAIWireServer } from './openai-wire-server.js';
export { measureModelSpeed, modelTimeout, type ModelSpeed } from './model-speed.js';
