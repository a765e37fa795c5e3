/**
 * A minimal pulumirpc.Engine service on loopback, passed to the policy pack as its engine
 * address so whatever it logs has somewhere to go. Unimplemented methods answer UNIMPLEMENTED.
 */
import * as grpc from "@grpc/grpc-js";
import * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";

/** One message the pack logged to the engine (Engine.Log). */
export interface EngineLog {
  readonly severity: number;
  readonly message: string;
  readonly urn: string;
}

export interface FakeEngine {
  address: string;
  logs: EngineLog[];
  stop(): void;
}

export async function startFakeEngine(): Promise<FakeEngine> {
  const logs: EngineLog[] = [];
  const server = new grpc.Server();
  server.addService(engineGrpc.EngineService, {
    log: (
      call: grpc.ServerUnaryCall<enginePb.LogRequest, Empty>,
      cb: grpc.sendUnaryData<Empty>,
    ) => {
      logs.push({
        severity: call.request.getSeverity(),
        message: call.request.getMessage(),
        urn: call.request.getUrn(),
      });
      cb(null, new Empty());
    },
    getRootResource: (_: unknown, cb: grpc.sendUnaryData<enginePb.GetRootResourceResponse>) =>
      cb(null, new enginePb.GetRootResourceResponse()),
    setRootResource: (_: unknown, cb: grpc.sendUnaryData<enginePb.SetRootResourceResponse>) =>
      cb(null, new enginePb.SetRootResourceResponse()),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, logs, stop: () => server.forceShutdown() };
}
