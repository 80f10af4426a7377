// CLIPReranker on the tiny-unclip model against cosines computed with transformers
// (scripts/golden/clip_models.py).
import Foundation
import TensorCore
import Testing
import WeightIO
@testable import UnCLIPStages

@Suite struct RerankCLIPTests {
  @Test func scoresMatchReferenceCosines() throws {
    let golden = try SafeTensorsFile(path: CLIPFixtures.url("golden/clip_extra.safetensors").path)
    let reranker = try CLIPReranker(modelFolder: CLIPFixtures.tinyUnCLIP)
    let images = try golden.tensor("rerank.images")
    let floats = Tensor(images.scalars.map { $0 / 255 }, shape: images.shape)
    let scores = try reranker.scores(images: floats, prompt: "horse")
    expectCLIPClose(Tensor(scores, shape: [scores.count]), try golden.tensor("rerank.scores"), tolerance: 1e-4, "scores")

    let expected = try golden.tensor("rerank.scores").scalars
    let ranking = try reranker.rank(images: floats, prompt: "horse", keep: 3)
    let referenceOrder = expected.indices.sorted { expected[$0] != expected[$1] ? expected[$0] > expected[$1] : $0 < $1 }
    #expect(ranking.indices == Array(referenceOrder.prefix(3)))
    #expect(ranking.indices.count == 3)
    #expect(ranking.allScores == scores)
  }

  @Test func topKIsStableOnTies() {
    let ranking = CLIPReranker.topK([0.1, 0.5, 0.3, 0.5, -1], keep: 3)
    #expect(ranking.indices == [1, 3, 2])
    #expect(ranking.scores == [0.5, 0.5, 0.3])
    #expect(CLIPReranker.topK([0.2, 0.1], keep: 5).indices == [0, 1])
  }

  @Test func cosinesAreNormalised() {
    let images = Tensor([3, 4, 0, 0, -2, 0], shape: [3, 2])
    let text = Tensor([1, 0], shape: [1, 2])
    let cosines = CLIPReranker.cosines(imageEmbeds: images, textEmbeds: text)
    #expect(Swift.abs(cosines[0] - 0.6) < 1e-6)
    #expect(cosines[1] == 0)
    #expect(Swift.abs(cosines[2] + 1) < 1e-6)
  }

  @Test func keepMustBePositive() throws {
    let reranker = try CLIPReranker(modelFolder: CLIPFixtures.tinyUnCLIP)
    #expect(throws: UnCLIPError.self) { try reranker.rank(images: Tensor(zeros: [1, 8, 8, 3]), prompt: "x", keep: 0) }
  }
}
