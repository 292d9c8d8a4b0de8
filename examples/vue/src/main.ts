// Registers <vibhava-avatar> before the app renders it.
import '@vibhava/widget/define';
import { createApp } from 'vue';
import App from './App.vue';

createApp(App).mount('#app');
