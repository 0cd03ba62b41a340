/** Typed clients of the tenant API, generated from proto/ (src/gen, `npm run generate`). */
import { createClient } from "@connectrpc/connect";
import { AdminService } from "../gen/eventkit/v1/admin_pb.js";
import { AuthService } from "../gen/eventkit/v1/auth_pb.js";
import { HistoryService } from "../gen/eventkit/v1/history_pb.js";
import { InventoryService } from "../gen/eventkit/v1/inventory_pb.js";
import { PlanningService } from "../gen/eventkit/v1/planning_pb.js";
import { ScanningService } from "../gen/eventkit/v1/scanning_pb.js";
import { transport } from "./transport.js";

export const auth = createClient(AuthService, transport);
export const inventory = createClient(InventoryService, transport);
export const planning = createClient(PlanningService, transport);
export const scanning = createClient(ScanningService, transport);
export const history = createClient(HistoryService, transport);
export const admin = createClient(AdminService, transport);
