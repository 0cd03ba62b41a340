//! ScanningService over tonic: every RPC delegates to the method of the same name on
//! [`Scanning`] (see `eventkit_platform::delegate!`); the two scans build a checked [`Scan`] first.

use super::{Kind, Scan, Scanning};
use eventkit_platform::{ApiError, auth::Principal, delegate};
use eventkit_proto::eventkit::v1::{scanning_service_server::ScanningService, *};

impl Scanning {
    pub async fn check_out(
        &self,
        p: &Principal,
        req: CheckOutRequest,
    ) -> Result<CheckOutResponse, ApiError> {
        let scan = Scan::parse(
            Kind::CheckOut,
            &req.client_scan_id,
            &req.event_id,
            &req.code,
            req.quantity,
            false,
            "",
        )?;
        Ok(CheckOutResponse {
            result: Some(self.run(p, scan).await?),
        })
    }

    pub async fn check_in(
        &self,
        p: &Principal,
        req: CheckInRequest,
    ) -> Result<CheckInResponse, ApiError> {
        let scan = Scan::parse(
            Kind::CheckIn,
            &req.client_scan_id,
            &req.event_id,
            &req.code,
            req.quantity,
            req.damaged,
            &req.note,
        )?;
        Ok(CheckInResponse {
            result: Some(self.run(p, scan).await?),
        })
    }
}

impl Scanning {
    pub async fn stocktake_scan(
        &self,
        p: &Principal,
        req: StocktakeScanRequest,
    ) -> Result<StocktakeScanResponse, ApiError> {
        let scan = Scan::parse(
            Kind::Stocktake,
            &req.client_scan_id,
            &req.stocktake_id,
            &req.code,
            0,
            false,
            "",
        )?;
        Ok(StocktakeScanResponse {
            result: Some(self.run(p, scan).await?),
        })
    }
}

delegate! {
    ScanningService => ScanningApi(Scanning) for Principal {
    check_out(CheckOutRequest) -> CheckOutResponse;
    check_in(CheckInRequest) -> CheckInResponse;
    get_event_progress(GetEventProgressRequest) -> GetEventProgressResponse;
    list_asset_status_log(ListAssetStatusLogRequest) -> ListAssetStatusLogResponse;
    start_stocktake(StartStocktakeRequest) -> StartStocktakeResponse;
    stocktake_scan(StocktakeScanRequest) -> StocktakeScanResponse;
    get_stocktake(GetStocktakeRequest) -> GetStocktakeResponse;
    close_stocktake(CloseStocktakeRequest) -> CloseStocktakeResponse;
    }
}
