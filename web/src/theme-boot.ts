// Sets the theme before the app renders, so a light-theme person never sees a dark flash.
import { preferences } from "./lib/preferences.js";

document.documentElement.dataset.theme = preferences.theme();
