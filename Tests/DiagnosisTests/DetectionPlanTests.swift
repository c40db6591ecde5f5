import Testing
import NetIO
@testable import Diagnosis

@Suite struct DetectionPlanTests {
    func probes(_ plan: DetectionPlan) -> [String] {
        plan.steps.compactMap { if case .probe(let c) = $0 { "\(c.protocol.rawValue) \(c.endpoint) \(c.security.settingsWord)" } else { nil } }
    }

    @Test func gmailUsesThePresetAndConfirmsIt() throws {
        let plan = try #require(DetectionPlan(address: "Shop@Gmail.com"))
        #expect(plan.domain == "gmail.com")
        #expect(plan.preset?.provider == .gmail)
        #expect(plan.steps.first == .preset(.gmail))
        #expect(probes(plan) == ["smtp smtp.gmail.com:465 tls", "smtp smtp.gmail.com:587 starttls", "imap imap.gmail.com:993 tls"])
        let first = try #require(plan.preset?.candidates(for: plan.address).first)
        #expect(first.username == "Shop@gmail.com")
        #expect(first.authKinds == [.oauth2, .appPassword])
        #expect(plan.preset?.note.contains("app password") == true)
    }

    @Test func outlookAddress() throws {
        let plan = try #require(DetectionPlan(address: "till@hotmail.co.uk"))
        #expect(plan.preset?.provider == .outlookConsumer)
        #expect(probes(plan) == ["smtp smtp-mail.outlook.com:587 starttls", "imap outlook.office365.com:993 tls"])
        #expect(plan.preset?.authKinds == [.oauth2])
    }

    @Test func unknownDomainFullOrder() throws {
        let plan = try #require(DetectionPlan(address: "shop@cornershop.example"))
        #expect(plan.preset == nil)
        let discovery = plan.steps.filter { if case .probe = $0 { false } else { true } }
        #expect(discovery == [
            .autoconfig(url: "https://autoconfig.cornershop.example/mail/config-v1.1.xml?emailaddress=shop@cornershop.example"),
            .autoconfig(url: "https://cornershop.example/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=shop@cornershop.example"),
            .autoconfig(url: "http://autoconfig.cornershop.example/mail/config-v1.1.xml?emailaddress=shop@cornershop.example"),
            .autoconfig(url: "http://cornershop.example/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=shop@cornershop.example"),
            .ispdb(url: "https://live.thunderbird.net/autoconfig/v1.1/cornershop.example"),
            .srv(name: "_submissions._tcp.cornershop.example", protocol: .smtp, security: .implicitTLS),
            .srv(name: "_submission._tcp.cornershop.example", protocol: .smtp, security: .startTLS),
            .srv(name: "_imaps._tcp.cornershop.example", protocol: .imap, security: .implicitTLS),
            .srv(name: "_imap._tcp.cornershop.example", protocol: .imap, security: .startTLS),
            .mx(domain: "cornershop.example"),
        ])
        // Discovery comes before any probe.
        let firstProbe = try #require(plan.steps.firstIndex { if case .probe = $0 { true } else { false } })
        #expect(firstProbe == discovery.count)
        // diagnostics.md §1.3 order, implicit TLS first, plain text last.
        #expect(probes(plan) == [
            "smtp smtp.cornershop.example:465 tls", "smtp mail.cornershop.example:465 tls", "smtp cornershop.example:465 tls",
            "smtp smtp.cornershop.example:587 starttls", "smtp smtp.cornershop.example:25 starttls",
            "smtp mail.cornershop.example:587 starttls", "smtp mail.cornershop.example:25 starttls",
            "smtp cornershop.example:587 starttls", "smtp cornershop.example:25 starttls",
            "smtp smtp.cornershop.example:587 none", "smtp smtp.cornershop.example:25 none",
            "smtp mail.cornershop.example:587 none", "smtp mail.cornershop.example:25 none",
            "smtp cornershop.example:587 none", "smtp cornershop.example:25 none",
            "imap imap.cornershop.example:993 tls", "imap mail.cornershop.example:993 tls", "imap cornershop.example:993 tls",
            "imap imap.cornershop.example:143 starttls", "imap mail.cornershop.example:143 starttls",
            "imap cornershop.example:143 starttls",
            "imap imap.cornershop.example:143 none", "imap mail.cornershop.example:143 none", "imap cornershop.example:143 none",
        ])
    }

    @Test func injectableSourcesAndNoPlaintext() throws {
        let options = DetectionOptions(autoconfigTemplates: ["http://127.0.0.1:8080/{domain}/config-v1.1.xml"],
                                       ispdbBase: nil, sendEmailAddress: false, includePlaintext: false)
        let plan = try #require(DetectionPlan(address: "a@b.example", options: options))
        #expect(plan.steps.first == .autoconfig(url: "http://127.0.0.1:8080/b.example/config-v1.1.xml"))
        #expect(!plan.steps.contains { if case .ispdb = $0 { true } else { false } })
        #expect(!probes(plan).contains { $0.hasSuffix(" none") })
        // An injected preset table.
        let custom = ProviderPreset(provider: .zoho, domains: ["b.example"], mxSuffixes: [],
                                    smtp: [.tls("127.0.0.1", 2465)], imap: [], smtpUsername: .emailAddress,
                                    imapUsername: .emailAddress, authKinds: [.password], note: "test")
        let presetPlan = try #require(DetectionPlan(address: "a@b.example", options: DetectionOptions(presets: [custom])))
        #expect(probes(presetPlan) == ["smtp 127.0.0.1:2465 tls"])
    }

    @Test func internationalDomainsBecomeALabels() throws {
        #expect(Punycode.aLabel(domain: "bücher.example") == "xn--bcher-kva.example")
        #expect(Punycode.aLabel(domain: "München.de") == "xn--mnchen-3ya.de")
        #expect(Punycode.encode("ü") == "tda")
        let plan = try #require(DetectionPlan(address: "laden@bücher.example"))
        #expect(plan.domain == "xn--bcher-kva.example")
        #expect(probes(plan).first == "smtp smtp.xn--bcher-kva.example:465 tls")
    }

    @Test(arguments: ["", "no-at-sign", "a@", "@b.example", "a@localhost", "a b@c.example", "a@b.example\r\nX"])
    func notAnAddress(_ text: String) {
        #expect(DetectionPlan(address: text) == nil)
    }

    @Test func mxSteps() {
        let workspace = DetectionPlan.steps(forMX: "aspmx.l.google.com", address: "a@shop.example", domain: "shop.example")
        #expect(workspace.first == .preset(.gmail))
        let m365 = DetectionPlan.steps(forMX: "shop-example.mail.protection.outlook.com", address: "a@shop.example",
                                       domain: "shop.example")
        #expect(m365.first == .preset(.microsoft365))
        #expect(m365.contains(.probe(ServerCandidate(protocol: .smtp, host: "smtp.office365.com", port: 587,
                                                      security: .startTLS, username: "a@shop.example",
                                                      authKinds: [.oauth2, .password], source: .preset(.microsoft365)))))
        let hoster = DetectionPlan.steps(forMX: "mx01.mail.hoster.co.uk", address: "a@shop.example", domain: "shop.example",
                                         options: DetectionOptions(ispdbBase: "https://isp.test/"))
        #expect(hoster == [.ispdb(url: "https://isp.test/mail.hoster.co.uk"),
                           .autoconfig(url: "https://autoconfig.mail.hoster.co.uk/mail/config-v1.1.xml"),
                           .ispdb(url: "https://isp.test/hoster.co.uk"),
                           .autoconfig(url: "https://autoconfig.hoster.co.uk/mail/config-v1.1.xml")])
        #expect(DetectionPlan.steps(forMX: "mx.shop.example", address: "a@shop.example", domain: "shop.example").isEmpty)
    }

    @Test func srvOrderAndTrust() {
        let records = [
            SRVRecord(priority: 10, weight: 0, port: 465, target: "smtp.evil.example."),
            SRVRecord(priority: 0, weight: 5, port: 465, target: "mail.shop.example."),
            SRVRecord(priority: 0, weight: 10, port: 465, target: "smtp.gmail.com."),
            SRVRecord(priority: 0, weight: 0, port: 0, target: "."),
        ]
        let c = DetectionPlan.candidates(fromSRV: records, name: "_submissions._tcp.shop.example", protocol: .smtp,
                                         security: .implicitTLS, address: "a@shop.example", domain: "shop.example")
        #expect(c.map(\.host) == ["smtp.gmail.com", "mail.shop.example", "smtp.evil.example"])
        #expect(c.map(\.needsConfirmation) == [false, false, true])
        #expect(c[2].description.contains("confirm"))
    }

    @Test func presetTableCoversTheIssueList() {
        let providers = Set(ProviderPreset.standard.map(\.provider))
        for p: Provider in [.gmail, .microsoft365, .outlookConsumer, .yahoo, .aol, .icloud, .zoho, .fastmail, .gmx,
                            .sendgrid, .mailgun, .amazonSES, .postmark, .brevo, .mandrill] {
            #expect(providers.contains(p), "\(p)")
        }
        #expect(ProviderPreset.forDomain("me.com")?.candidates(for: "x@me.com").map(\.username) == ["x@me.com", "x"])
        #expect(ProviderPreset.of(.sendgrid)?.candidates(for: "x@shop.example").first?.username == "apikey")
        #expect(ProviderPreset.of(.postmark)?.smtp.contains { $0.port == 465 } == false, "Postmark has no 465")
        #expect(ProviderPreset.forMX("mx1.mail.icloud.com")?.provider == .icloud)
        for preset in ProviderPreset.standard {
            let c = preset.candidates(for: "x@y.example")
            // Implicit TLS before STARTTLS within each protocol (RFC 8314 §3).
            for p in MailProtocol.allCases {
                let sec = c.filter { $0.protocol == p }.map(\.security)
                if let lastImplicit = sec.lastIndex(of: .implicitTLS), let firstSTARTTLS = sec.firstIndex(of: .startTLS) {
                    #expect(lastImplicit < firstSTARTTLS, "\(preset.provider)")
                }
            }
        }
    }
}
