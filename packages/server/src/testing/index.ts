export { startOpenAIWireServer, type OpenAIWireServer } from './openai-wire-server.js';
