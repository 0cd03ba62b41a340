/** The inventory pages, loaded together in one lazy chunk when the person first opens one. */
export { AssetDetail } from "./assets/AssetDetail.js";
export { AssetsPage } from "./assets/AssetsPage.js";
export { CaseDetail } from "./cases/CaseDetail.js";
export { CasesPage } from "./cases/CasesPage.js";
export { KitsPage } from "./kits/KitsPage.js";
export { LocationsPage } from "./locations/LocationsPage.js";
export { ProductDetail } from "./products/ProductDetail.js";
export { ProductsPage } from "./products/ProductsPage.js";
