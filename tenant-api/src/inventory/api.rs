//! InventoryService over tonic: every RPC delegates to the method of the same name on
//! [`Inventory`] (see `eventkit_platform::delegate!`).

use super::Inventory;
use eventkit_platform::{auth::Principal, delegate};
use eventkit_proto::eventkit::v1::{inventory_service_server::InventoryService, *};

delegate! {
    InventoryService => InventoryApi(Inventory) for Principal {
    create_product(CreateProductRequest) -> CreateProductResponse;
    get_product(GetProductRequest) -> GetProductResponse;
    update_product(UpdateProductRequest) -> UpdateProductResponse;
    delete_product(DeleteProductRequest) -> DeleteProductResponse;
    restore_product(RestoreProductRequest) -> RestoreProductResponse;
    list_products(ListProductsRequest) -> ListProductsResponse;
    create_location(CreateLocationRequest) -> CreateLocationResponse;
    get_location(GetLocationRequest) -> GetLocationResponse;
    list_locations(ListLocationsRequest) -> ListLocationsResponse;
    create_asset(CreateAssetRequest) -> CreateAssetResponse;
    get_asset(GetAssetRequest) -> GetAssetResponse;
    lookup_asset_by_code(LookupAssetByCodeRequest) -> LookupAssetByCodeResponse;
    update_asset(UpdateAssetRequest) -> UpdateAssetResponse;
    list_assets(ListAssetsRequest) -> ListAssetsResponse;
    create_case(CreateCaseRequest) -> CreateCaseResponse;
    get_case(GetCaseRequest) -> GetCaseResponse;
    list_cases(ListCasesRequest) -> ListCasesResponse;
    add_asset_to_case(AddAssetToCaseRequest) -> AddAssetToCaseResponse;
    remove_asset_from_case(RemoveAssetFromCaseRequest) -> RemoveAssetFromCaseResponse;
    add_case_to_case(AddCaseToCaseRequest) -> AddCaseToCaseResponse;
    remove_case_from_case(RemoveCaseFromCaseRequest) -> RemoveCaseFromCaseResponse;
    set_stock_level(SetStockLevelRequest) -> SetStockLevelResponse;
    list_stock_levels(ListStockLevelsRequest) -> ListStockLevelsResponse;
    set_kit_components(SetKitComponentsRequest) -> SetKitComponentsResponse;
    get_kit(GetKitRequest) -> GetKitResponse;
    open_maintenance_record(OpenMaintenanceRecordRequest) -> OpenMaintenanceRecordResponse;
    close_maintenance_record(CloseMaintenanceRecordRequest) -> CloseMaintenanceRecordResponse;
    list_maintenance_records(ListMaintenanceRecordsRequest) -> ListMaintenanceRecordsResponse;
    }
}
