import Testing
import Auth
import NetIO
@testable import Diagnosis

@Suite struct SettingsReviewTests {
    func smtp(_ host: String, _ port: UInt16, _ security: Security, user: String = "shop@gmail.com",
              password: String = "abcd efgh ijkl mnop") -> ServerSettings {
        ServerSettings(protocol: .smtp, host: host, port: port, security: security,
                       credentials: .password(user: user, password: password))
    }

    @Test func goodGmailSettingsGetNoAdvice() {
        #expect(SettingsReview.review(smtp("smtp.gmail.com", 465, .implicitTLS)).isEmpty)
        #expect(SettingsReview.review(smtp("smtp.gmail.com", 587, .startTLS)).isEmpty)
    }

    @Test func portTheProviderDoesNotOffer() {
        let w = SettingsReview.review(smtp("smtp.gmail.com", 25, .startTLS))
        #expect(w.map(\.message) == ["[smtp] Gmail / Google Workspace offers smtp.gmail.com on 465 (tls) or 587 (starttls), not on 25 with starttls"])
        let icloud = SettingsReview.review(smtp("smtp.mail.me.com", 465, .implicitTLS, user: "x@icloud.com"))
        #expect(icloud.first?.message.contains("offers smtp.mail.me.com on 587 (starttls)") == true)
    }

    @Test func normalGooglePasswordIsSpotted() {
        let secret = "MyShop2024!"
        let w = SettingsReview.review(smtp("smtp.gmail.com", 465, .implicitTLS, password: secret))
        #expect(w.count == 1)
        #expect(w[0].message.contains("does not look like a Google app password"))
        #expect(!w[0].message.contains(secret))
    }

    @Test func outlookNeedsOAuth() {
        let w = SettingsReview.review(smtp("smtp-mail.outlook.com", 587, .startTLS, user: "shop@hotmail.com"))
        #expect(w.contains { $0.message.contains("only accepts \"Sign in with Microsoft\"") })
        let token = ServerSettings(protocol: .smtp, host: "smtp-mail.outlook.com", port: 587, security: .startTLS,
                                   credentials: .oauth2(user: "shop@hotmail.com", accessToken: "t"))
        #expect(SettingsReview.review(token).isEmpty)
    }

    @Test func sendGridUserName() {
        let w = SettingsReview.review(smtp("smtp.sendgrid.net", 587, .startTLS, user: "shop@example.com", password: "SG.x"))
        #expect(w.map(\.message) == ["[smtp] SendGrid's user name must be apikey, not shop@example.com"])
    }

    @Test func senderOtherThanLogin() {
        let account = MailAccount(smtp: smtp("smtp.gmail.com", 465, .implicitTLS),
                                  identity: SenderIdentity(name: "Shop", address: "shop@gmail.com",
                                                           purchaseOrderAddress: "orders@cornershop.example"))
        let w = SettingsReview.review(account)
        #expect(w.count == 1)
        #expect(w[0].message.contains("purchase-order sender address orders@cornershop.example is not the login"))
    }

    @Test func unknownServersGetNoAdvice() {
        #expect(SettingsReview.review(smtp("mail.cornershop.example", 2525, .startTLS, user: "till3")).isEmpty)
    }
}
