//! The tonic adapter: each RPC takes the principal the middleware attached and calls the plain
//! async method of the same name on [`Inventory`]. Errors convert once, through `ApiError`.

use super::Inventory;
use eventkit_platform::auth::Principal;
use eventkit_proto::eventkit::v1::{inventory_service_server::InventoryService, *};
use tonic::{Request, Response, Status};

pub struct InventoryApi(Inventory);

impl InventoryApi {
    pub fn new(inventory: Inventory) -> Self {
        Self(inventory)
    }
}

macro_rules! delegate {
    ($($method:ident($request:ty) -> $response:ty;)*) => {
        #[tonic::async_trait]
        impl InventoryService for InventoryApi {
            $(
                async fn $method(&self, request: Request<$request>) -> Result<Response<$response>, Status> {
                    let principal = Principal::of(&request)?.clone();
                    Ok(Response::new(self.0.$method(&principal, request.into_inner()).await?))
                }
            )*
        }
    };
}

delegate! {
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
}
